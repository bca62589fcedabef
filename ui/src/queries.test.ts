import { describe, expect, it } from "vitest";
import { invalidationsFor, queryKeys } from "./queries";

describe("invalidationsFor", () => {
  it("makes a finished sync's integration, the bell, the history and the rewards stale, not the other POS", () => {
    const keys = invalidationsFor({ type: "sync_finished", integration: "greenbits", trigger: "schedule", failed: false });
    expect(keys).toContainEqual(queryKeys.notifications);
    expect(keys).toContainEqual(queryKeys.syncHistory);
    expect(keys).toContainEqual(queryKeys.rewardMirrors);
    expect(keys).toContainEqual(queryKeys.integrationStatus("greenbits"));
    expect(keys).not.toContainEqual(queryKeys.integrationStatus("posabit"));
    expect(keys).not.toContainEqual(queryKeys.presenterMode);
  });

  it("reads the status again once the keychain has answered, and presenter mode when it changed", () => {
    expect(invalidationsFor({ type: "keychain_checked" })).toEqual([queryKeys.appStatus]);
    expect(invalidationsFor({ type: "presenter_mode_changed", on: true })).toEqual([queryKeys.presenterMode]);
    expect(invalidationsFor({ type: "notification_opened", kind: "sync_failed" })).toEqual([]);
  });

  it("reads shoppers, the bell and every SMS status again after a background job changed them", () => {
    const keys = invalidationsFor({ type: "shoppers_changed" });
    expect(keys).toContainEqual(queryKeys.personas);
    expect(keys).toContainEqual(queryKeys.notifications);
    // A prefix of every integration's SMS status.
    expect(queryKeys.smsStatus("posabit").slice(0, 1)).toEqual(keys.find((k) => k[0] === "sms_status"));
    expect(keys).not.toContainEqual(queryKeys.presenterMode);
  });
});
