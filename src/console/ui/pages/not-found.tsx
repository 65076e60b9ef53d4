import { Link } from "../components/link.tsx";
import { PageTitle } from "../components/page-title.tsx";

export function NotFoundPage() {
  return (
    <>
      <PageTitle title="Page not found" />
      <p>
        The console has no page here. Go to <Link href="/ui/">My access</Link>.
      </p>
    </>
  );
}
