import { describe, expect, it } from "vitest";
import { maskText, MASKS } from "./presenter";

describe("maskText", () => {
  it("masks e-mails, phones in any format and dates in free text", () => {
    const text = "“(206) 555-0142” or +1 206.555.0199 and Ava.Smith+vip@Example.com, born 1990-02-03.";
    const masked = maskText(text);
    for (const secret of ["206", "555", "0142", "0199", "Ava", "Example", "1990"]) {
      expect(masked).not.toContain(secret);
    }
    expect(masked).toContain(MASKS.email);
    expect(masked).toContain(MASKS.phone);
    expect(masked).toContain(MASKS.date);
  });

  it("masks phones as stored, with or without the plus, but not longer numbers", () => {
    for (const stored of ["+12065550100", "12065550100", "2065550100"]) {
      expect(maskText(`“${stored}” is taken`)).toBe(`“${MASKS.phone}” is taken`);
    }
    expect(maskText("sale 101000000004")).toBe("sale 101000000004");
  });

  it("leaves text without contact details alone", () => {
    expect(maskText("Sync finished: 906 new records.")).toBe("Sync finished: 906 new records.");
  });
});
