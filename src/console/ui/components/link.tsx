import type { ComponentChildren, JSX } from "preact";
import { navigate } from "../use-location.ts";

/** An ordinary link that the router follows without a reload; modified clicks open as usual. */
export function Link(props: { href: string; children: ComponentChildren } & JSX.AnchorHTMLAttributes) {
  const { href, children, ...rest } = props;
  const follow = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a {...rest} href={href} onClick={follow}>
      {children}
    </a>
  );
}
