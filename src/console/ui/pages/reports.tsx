import { PageTitle } from "../components/page-title.tsx";

/** Placeholder: being built (issue 18). */
export function ReportsPage() {
  return <PageTitle title="Reports" />;
}
