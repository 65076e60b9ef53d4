import { PageTitle } from "../components/page-title.tsx";

/** Placeholder: being built (issue 18). */
export function AlertDetailPage(props: { id: string }) {
  return <PageTitle title={`Alert ${props.id}`} />;
}
