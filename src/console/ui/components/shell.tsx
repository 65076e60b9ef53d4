import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import { useSession } from "../session-context.ts";
import { ErrorMessage } from "./alert.tsx";
import { Link } from "./link.tsx";

type Section = "access" | "requests" | "grants";

const SECTIONS: { section: Section; href: string; label: string }[] = [
  { section: "access", href: "/ui/", label: "My access" },
  { section: "requests", href: "/ui/requests", label: "Requests" },
  { section: "grants", href: "/ui/grants", label: "Grants" },
];

/** The frame of every page: who is signed in, the navigation, sign-out, and the page itself. */
export function Shell(props: { section: Section | undefined; children: ComponentChildren }) {
  const { session, api } = useSession();
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const signOut = async () => {
    try {
      await api.post("/v1/logout");
      location.assign("/ui/login");
    } catch (err) {
      setError(err as ApiError);
    }
  };

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">kube-broker</span>
        <nav aria-label="Console">
          <ul>
            {SECTIONS.map(({ section, href, label }) => (
              <li key={section}>
                <Link href={href} aria-current={props.section === section ? "page" : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span data-testid="whoami">{session.principal.name}</span>
          {session.admin ? <span class="badge">admin</span> : null}
          <button type="button" class="secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <ErrorMessage messages={error ? [`Sign-out failed: ${error.message}`] : []} />
        {props.children}
      </main>
    </>
  );
}
