import { PageTitle } from "../components/page-title.tsx";

/** Placeholder: being built (issue 18). */
export function AlertsPage() {
  return <PageTitle title="Alerts" />;
}
