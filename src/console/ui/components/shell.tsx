import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import type { Section } from "../routes.ts";
import { useSession } from "../session-context.ts";
import type { ConsoleSession } from "../types.ts";
import { ErrorMessage } from "./alert.tsx";
import { Link } from "./link.tsx";

interface NavEntry {
  section: Section;
  href: string;
  label: string;
  /** The optional API the page shows; without it the entry is hidden. */
  feature?: keyof ConsoleSession["features"];
}

const SECTIONS: NavEntry[] = [
  { section: "access", href: "/ui/", label: "My access" },
  { section: "requests", href: "/ui/requests", label: "Requests" },
  { section: "grants", href: "/ui/grants", label: "Grants" },
  { section: "activity", href: "/ui/activity", label: "Activity" },
  { section: "audit", href: "/ui/audit", label: "Audit search" },
  { section: "sessions", href: "/ui/sessions", label: "Sessions" },
  { section: "reports", href: "/ui/reports", label: "Reports", feature: "reports" },
  { section: "alerts", href: "/ui/alerts", label: "Alerts", feature: "alerts" },
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
            {SECTIONS.filter((e) => !e.feature || session.features[e.feature]).map(
              ({ section, href, label }) => (
                <li key={section}>
                  <Link href={href} aria-current={props.section === section ? "page" : undefined}>
                    {label}
                  </Link>
                </li>
              ),
            )}
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
