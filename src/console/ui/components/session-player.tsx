import "asciinema-player/dist/bundle/asciinema-player.css";
import type { Player } from "asciinema-player";
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorMessage } from "./alert.tsx";

/** Pauses longer than this play as this long: a review need not sit through a quiet shell. */
const IDLE_LIMIT_S = 2;

/**
 * A session's asciicast played by asciinema-player. The player (and its terminal emulator, a
 * WebAssembly module: the reason the console's CSP has 'wasm-unsafe-eval') is imported here
 * dynamically, so esbuild puts it in a chunk of its own that loads only when a session page
 * opens; its stylesheet is small and rides in the console's one. The cast comes in as text,
 * fetched by the page through the API client, so a refusal reads as the API's own message.
 */
export function SessionPlayer(props: { cast: string; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | undefined>(undefined);

  useEffect(() => {
    let player: Player | undefined;
    let gone = false;
    import("asciinema-player").then(
      ({ create }) => {
        if (gone || !box.current) return;
        player = create({ data: props.cast }, box.current, {
          fit: "width",
          controls: true,
          idleTimeLimit: IDLE_LIMIT_S,
          terminalFontFamily: 'ui-monospace, "Cascadia Mono", "DejaVu Sans Mono", monospace',
        });
      },
      (err: unknown) => setFailed(`The player could not be loaded: ${String(err)}`),
    );
    return () => {
      gone = true;
      player?.dispose();
    };
  }, [props.cast]);

  return (
    <>
      <ErrorMessage messages={failed ? [failed] : []} />
      <section class="session-player" aria-label={props.label} data-testid="session-player">
        <div ref={box} />
      </section>
      <p class="hint">
        Keyboard: Tab to the player's Play button; then Space plays and pauses, ← and → move 5 seconds, 0–9
        jump to a tenth of the way, f toggles full screen and ? lists every shortcut. Pauses longer than{" "}
        {IDLE_LIMIT_S} seconds play as {IDLE_LIMIT_S}.
      </p>
    </>
  );
}
