import { describe, expect, it } from "vitest";
import { formatPhone, fullName, plural } from "./format";

describe("formatPhone", () => {
  it("shows US E.164 numbers the way a US shopper writes them", () => {
    expect(formatPhone("+15552312222")).toBe("(555) 231-2222");
  });
  it("leaves anything else alone and shows nothing for no phone", () => {
    expect(formatPhone("+447700900123")).toBe("+447700900123");
    expect(formatPhone(null)).toBe("");
  });
});

describe("fullName", () => {
  it("joins the parts it has and shows a dash for none", () => {
    expect(fullName("Zoë", "García")).toBe("Zoë García");
    expect(fullName(null, "Nguyen")).toBe("Nguyen");
    expect(fullName(" ", null)).toBe("—");
  });
});

describe("plural", () => {
  it("counts one and many", () => {
    expect(plural(1, "record")).toBe("1 record");
    expect(plural(2500, "record")).toBe(`${(2500).toLocaleString()} records`);
  });
});
