import { useState } from "preact/hooks";

/** A shell command to run, with a button that copies it (where the browser allows the clipboard). */
export function CopyCommand(props: { command: string }) {
  const [copied, setCopied] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.command);
      setCopied("Copied");
    } catch {
      setCopied("Copy failed: select the command instead");
    }
  };
  return (
    <div class="command">
      <code>{props.command}</code>
      {navigator.clipboard ? (
        <button type="button" class="secondary" aria-label="Copy command" onClick={copy}>
          Copy
        </button>
      ) : null}
      <span class="hint" role="status">
        {copied}
      </span>
    </div>
  );
}
