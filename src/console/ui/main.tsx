/** The console's entry: esbuild bundles this (and styles.css) into dist/ui/assets (scripts/build.ts). */
import "./styles.css";
import { render } from "preact";
import { App } from "./app.tsx";

render(<App />, document.getElementById("app")!);
