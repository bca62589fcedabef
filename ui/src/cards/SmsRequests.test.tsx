import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "../test-render";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test-api";
import type { SmsRun } from "../bindings";
import { SmsRequests, describeRun } from "./SmsRequests";

vi.mock("../api", () => import("../test-api").then((m) => m.apiModule));

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const run: SmsRun = {
  replies: 0, confirmed: 0, opted_out: 0, held_for_review: 0, requested: 0, answered: 0,
  waiting_for_window: 0, waiting_for_cap: 0, no_place: 0, expired: 0, failed: 0, given_up: 0,
};

describe("SmsRequests", () => {
  it("words a run in one sentence", () => {
    expect(describeRun({ ...run, requested: 1 })).toBe("1 opt-in request sent.");
    expect(describeRun({ ...run, requested: 3, waiting_for_window: 7, waiting_for_cap: 1, no_place: 2, replies: 1, held_for_review: 1 })).toBe(
      "3 opt-in requests sent; 7 wait for the shopper's local hours; 1 wait for their state's daily limit; 2 wait: where the shopper is is unknown (map their store); 1 reply read; 1 held for review.",
    );
  });

  it("shows the requests' state and runs the job now, reporting a gateway failure", async () => {
    fakeApi.smsStatus.mockResolvedValue({ sent: 12, awaiting_reply: 8, opted_in: 3, opted_out: 1, failed: 0, last_sent_at: null });
    fakeApi.sendSmsOptInsNow.mockResolvedValue({ ...run, requested: 2, failed: 1, error: { code: "pos_unreachable", message: "The SMS gateway answered with an error (HTTP 503)." } });
    const onMessage = vi.fn();
    render(<SmsRequests integration="posabit" onMessage={onMessage} />);
    expect(await screen.findByText(/Requests sent: 12 · awaiting a reply 8 · opted in 3 · opted out 1/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Send now" }));
    await waitFor(() => { expect(onMessage).toHaveBeenCalledWith("2 opt-in requests sent."); });
    expect(await screen.findByText("The SMS gateway answered with an error (HTTP 503).")).toBeTruthy();
    expect(fakeApi.smsStatus).toHaveBeenCalledTimes(2);
  });
});
