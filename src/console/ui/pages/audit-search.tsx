import { PageTitle } from "../components/page-title.tsx";

/** Placeholder: being built (issue 18). */
export function AuditSearchPage() {
  return <PageTitle title="Audit search" />;
}
