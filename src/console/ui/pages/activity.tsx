import { PageTitle } from "../components/page-title.tsx";

/** Placeholder: being built (issue 18). */
export function ActivityPage() {
  return <PageTitle title="Activity" />;
}
