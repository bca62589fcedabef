import { useEffect } from "react";

/** A quiet success message that disappears by itself; clicks go through it to what it covers. */
export function Toast({ message, onDone }: { message: string; onDone: () => void }) {
  useEffect(() => {
    const timer = window.setTimeout(onDone, 6000);
    return () => {
      window.clearTimeout(timer);
    };
  }, [message, onDone]);
  return (
    <div className="toast" role="status" aria-live="polite">
      {message}
    </div>
  );
}
