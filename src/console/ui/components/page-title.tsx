import { useEffect } from "preact/hooks";

/**
 * A page's heading, also the document's title. It can take the focus (tabIndex -1): after
 * the router changes page, focus moves here, so a screen reader announces the new page.
 */
export function PageTitle(props: { title: string }) {
  useEffect(() => {
    document.title = `${props.title} · kube-broker`;
  }, [props.title]);
  return <h1 tabIndex={-1}>{props.title}</h1>;
}
