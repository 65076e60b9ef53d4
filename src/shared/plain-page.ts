import { escapeHtml } from "./escape-html.ts";

/**
 * A page the server renders itself, without the console's script or styles (sign-in pages
 * that must work when the console cannot load): no script, no inline style, so a strict CSP
 * allows it. `title` is escaped here; `main` is HTML the caller has escaped.
 */
export function plainPage(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · kube-broker</title>
</head>
<body>
<main>
${main}
</main>
</body>
</html>
`;
}
