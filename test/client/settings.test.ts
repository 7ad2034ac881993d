import { ConfigurationError, redact } from "../../provider/src/errors";
import {
  assertCredentials,
  DEFAULTS,
  describeSettings,
  isLoopbackHost,
  loadSettings,
  missingCredentials,
} from "../../provider/src/settings";

const SECRET = "s3cr3t-client-secret-value-xyz";
const REFRESH = "0.AAAA-refresh-token-value-abcdefgh";

function thrown(f: () => unknown): ConfigurationError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    return e as ConfigurationError;
  }
  throw new Error("did not throw");
}

describe("loadSettings", () => {
  test("defaults when nothing is set", () => {
    const s = loadSettings({}, {});
    expect(s).toEqual({
      endpoint: DEFAULTS.endpoint,
      authority: DEFAULTS.authority,
      maxConcurrency: DEFAULTS.maxConcurrency,
    });
  });

  test("precedence: partnercenter:<key>, then bare <key>, then env, then default", () => {
    const env = {
      PARTNER_CENTER_ENDPOINT: "https://env.example.com",
      PARTNER_CENTER_CLIENT_ID: "env-client",
    };
    expect(loadSettings({ "partnercenter:endpoint": "https://cfg.example.com/" }, env).endpoint).toBe(
      "https://cfg.example.com",
    );
    expect(loadSettings({ endpoint: "https://bare.example.com" }, env).endpoint).toBe(
      "https://bare.example.com",
    );
    expect(
      loadSettings(
        { "partnercenter:endpoint": "https://a.example.com", endpoint: "https://b.example.com" },
        env,
      ).endpoint,
    ).toBe("https://a.example.com");
    expect(
      loadSettings({ "partnercenter:config:endpoint": "https://engine.example.com" }, env).endpoint,
    ).toBe("https://engine.example.com");
    const s = loadSettings({ "partnercenter:endpoint": "" }, env);
    expect(s.endpoint).toBe("https://env.example.com"); // empty counts as unset
    expect(s.clientId).toBe("env-client");
  });

  test("numbers arrive as strings", () => {
    const s = loadSettings({ "partnercenter:maxRequestsPerMinute": "120", maxConcurrency: " 8 " }, {});
    expect(s.maxRequestsPerMinute).toBe(120);
    expect(s.maxConcurrency).toBe(8);
    const env = loadSettings({}, { PARTNER_CENTER_MAX_CONCURRENCY: "4" });
    expect(env.maxConcurrency).toBe(4);
  });

  test.each(["0", "-1", "1.5", "abc", "1e3"])(
    "rejects maxRequestsPerMinute %p naming key, env var and fix",
    (v) => {
      const e = thrown(() => loadSettings({ "partnercenter:maxRequestsPerMinute": v }, {}));
      expect(e.message).toContain("partnercenter:maxRequestsPerMinute");
      expect(e.message).toContain("PARTNER_CENTER_MAX_REQUESTS_PER_MINUTE");
      expect(e.message).toContain("whole number");
      expect(e.code).toBe("PPC_CONFIGURATION");
    },
  );

  test.each([
    "http://localhost:8787",
    "http://127.0.0.5:9000",
    "http://[::1]:8080",
    "https://api.partnercenter.microsoft.com",
  ])("accepts %p", (url) => {
    expect(loadSettings({ endpoint: url, authority: url }, {}).endpoint).toBe(url);
  });

  test.each(["http://example.com", "http://10.0.0.1", "http://127.evil.com", "ftp://localhost", "not a url"])(
    "rejects endpoint %p",
    (url) => {
      const e = thrown(() => loadSettings({ "partnercenter:endpoint": url }, {}));
      expect(e.message).toContain("partnercenter:endpoint");
      expect(e.message).toContain("PARTNER_CENTER_ENDPOINT");
    },
  );

  test("rejects an authority over http to a remote host from the environment too", () => {
    const e = thrown(() => loadSettings({}, { PARTNER_CENTER_AUTHORITY: "http://login.example.com" }));
    expect(e.message).toContain("PARTNER_CENTER_AUTHORITY");
    expect(e.message).toContain("https");
  });

  test("loopback hosts", () => {
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("127.1.2.3")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("127.0.0.1.nip.io")).toBe(false);
    expect(isLoopbackHost("0.0.0.0")).toBe(false);
  });

  test("secrets are registered, never echoed, and described as (set)", () => {
    const s = loadSettings(
      {
        "partnercenter:clientSecret": SECRET,
        "partnercenter:refreshToken": REFRESH,
        tenantId: "t",
        clientId: "c",
      },
      {},
    );
    expect(redact(`oops ${SECRET} and ${REFRESH}`)).toBe("oops [REDACTED] and [REDACTED]");
    const d = describeSettings(s);
    expect(d).toContain("clientSecret=(set)");
    expect(d).toContain("refreshToken=(set)");
    expect(d).not.toContain(SECRET);
    expect(d).not.toContain(REFRESH);
  });

  test("a malformed value never quotes a secret from elsewhere", () => {
    const e = thrown(() => loadSettings({ "partnercenter:accessToken": SECRET, maxConcurrency: SECRET }, {}));
    expect(e.message).not.toContain(SECRET);
    expect(JSON.stringify(e)).not.toContain(SECRET);
  });
});

describe("credentials (checked when a request needs them, not at load)", () => {
  test("loading without credentials works (check needs no network)", () => {
    expect(() => loadSettings({}, {})).not.toThrow();
  });

  test("lists exactly the missing keys", () => {
    const s = loadSettings({ "partnercenter:clientId": "c" }, {});
    expect(missingCredentials(s)).toEqual(["tenantId", "refreshToken"]);
    const e = thrown(() => assertCredentials(s));
    expect(e.message).toContain("partnercenter:tenantId (or PARTNER_CENTER_TENANT_ID)");
    expect(e.message).toContain("partnercenter:refreshToken (or PARTNER_CENTER_REFRESH_TOKEN)");
    expect(e.message).not.toContain("partnercenter:clientId (");
    expect(e.message).toContain("partnercenter:accessToken");
  });

  test("an access token alone, or the refresh grant without a client secret, is complete", () => {
    expect(missingCredentials(loadSettings({ accessToken: "a-long-access-token" }, {}))).toEqual([]);
    expect(
      missingCredentials(loadSettings({ tenantId: "t", clientId: "c", refreshToken: REFRESH }, {})),
    ).toEqual([]);
  });
});

test("tenantId must be a GUID or a domain: it becomes a path segment of the token URL", () => {
  for (const bad of ["..", "a/b", "x?y", "../other"]) {
    expect(() => loadSettings({ tenantId: bad }, {})).toThrow(
      /partnercenter:tenantId .* must be the partner's tenant id/,
    );
  }
  expect(loadSettings({ tenantId: "contoso.onmicrosoft.com" }, {}).tenantId).toBe("contoso.onmicrosoft.com");
});

test("the settings table in the docs is the one generated from the settings declaration (npm run gen:docs)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { documents } = require("../../scripts/gen-docs.js") as {
    documents: () => { file: string; current: string; generated: string }[];
  };
  const docs = documents();
  expect(docs.length).toBeGreaterThan(0);
  for (const d of docs) expect(d.current).toBe(d.generated);
});
