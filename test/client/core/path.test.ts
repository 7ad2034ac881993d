/** client/core/path.ts: one safe URL path segment per id, and request paths resolved under the endpoint. */
import { pathSegment, resolveUrl } from "../../../provider/src/client/core/path";
import { ResponseValidationError } from "../../../provider/src/errors";

describe("pathSegment", () => {
  test("an id becomes one encoded segment: no slash, query or fragment can leak into the path", () => {
    expect(pathSegment("11111111-1111-4111-8111-111111111111", "customer")).toBe(
      "11111111-1111-4111-8111-111111111111",
    );
    expect(pathSegment("a/b?c#d e", "subscription")).toBe("a%2Fb%3Fc%23d%20e");
  });

  test.each(["", ".", "..", "\ud800"])(
    "%j is refused before anything is sent, naming the id's kind",
    (id) => {
      expect(() => pathSegment(id, "customer")).toThrow(ResponseValidationError);
      expect(() => pathSegment(id, "customer")).toThrow(/the customer .*cannot be a URL path segment/);
    },
  );
});

describe("resolveUrl", () => {
  const base = new URL("https://api.partnercenter.microsoft.com/");

  test("a request path goes under /v1 once, with the query's defined values", () => {
    expect(resolveUrl(base, "/customers", { size: "500", seek: undefined }).href).toBe(
      "https://api.partnercenter.microsoft.com/v1/customers?size=500",
    );
    expect(resolveUrl(base, "/v1/customers/x", undefined).href).toBe(
      "https://api.partnercenter.microsoft.com/v1/customers/x",
    );
    expect(resolveUrl(base, "customers?size=1", undefined).href).toBe(
      "https://api.partnercenter.microsoft.com/v1/customers?size=1",
    );
  });

  test("an endpoint with a path prefix keeps it (a proxy or the emulator under a path)", () => {
    expect(resolveUrl(new URL("http://127.0.0.1:8080/pc/"), "/customers", undefined).href).toBe(
      "http://127.0.0.1:8080/pc/v1/customers",
    );
  });

  test("an absolute next-page link is followed on the same origin only: the token never goes elsewhere", () => {
    expect(
      resolveUrl(base, "https://api.partnercenter.microsoft.com/v1/customers?seek=2", undefined).href,
    ).toBe("https://api.partnercenter.microsoft.com/v1/customers?seek=2");
    expect(() => resolveUrl(base, "https://evil.example/v1/customers", undefined)).toThrow(
      /next-page link to another host \(evil\.example\)/,
    );
    expect(() => resolveUrl(base, "http://api.partnercenter.microsoft.com/v1/customers", undefined)).toThrow(
      ResponseValidationError,
    );
  });
});
