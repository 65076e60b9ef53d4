import type { ComponentChildren } from "preact";

/**
 * A wide table's frame: on a narrow screen the table scrolls inside it rather than the page
 * scrolling sideways. It takes the focus (a labelled region), so the keyboard can scroll it too.
 */
export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section class="table-scroll" aria-label={props.label} tabIndex={0}>
      {props.children}
    </section>
  );
}
