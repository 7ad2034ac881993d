/** client/index.ts: one shared client per distinct settings. */
import { closeSharedClients, getSharedClient } from "../../provider/src/client";
import { loadSettings } from "../../provider/src/settings";

describe("getSharedClient", () => {
  afterAll(closeSharedClients);

  test("one client per distinct settings, secrets included", async () => {
    const a = loadSettings({ accessToken: "token-aaaaaaaaaaaa" }, {});
    const a2 = loadSettings({ accessToken: "token-aaaaaaaaaaaa" }, {});
    const b = loadSettings({ accessToken: "token-bbbbbbbbbbbb" }, {});
    expect(getSharedClient(a)).toBe(getSharedClient(a2));
    expect(getSharedClient(a)).not.toBe(getSharedClient(b));
    const first = getSharedClient(a);
    await first.close();
    expect(getSharedClient(a)).not.toBe(first); // a closed client is never handed out again
  });
});
