import Link from "next/link";

export const metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <div className="notice" role="alert">
      <strong>Page not found</strong>
      <p>
        There is no page at this address. <Link href="/">Back to your stores</Link>
      </p>
    </div>
  );
}
