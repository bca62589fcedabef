import { describe, expect, it } from "vitest";
import { CONSENT_SOURCE_LABELS, isMember, membersOf, SMS_CONSENT_LABELS } from "./labels";

describe("closed-set labels", () => {
  it("lists a set's members in the order its labels give them", () => {
    expect(membersOf(SMS_CONSENT_LABELS)).toEqual(["none", "requested", "opted_in", "opted_out"]);
  });
  it("accepts a member and refuses anything else, including an object's own keys", () => {
    expect(isMember(CONSENT_SOURCE_LABELS, "sms_opt_in:greenbits")).toBe(true);
    expect(isMember(CONSENT_SOURCE_LABELS, "sms_opt_in:tillbox")).toBe(false);
    expect(isMember(SMS_CONSENT_LABELS, "toString")).toBe(false);
    expect(isMember(SMS_CONSENT_LABELS, "")).toBe(false);
  });
});
