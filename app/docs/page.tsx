import type { Metadata } from "next";
import { ApiReference } from "@/components/docs/api-reference";

export const metadata: Metadata = { title: "API" };

export default function DocsPage() {
  return (
    <>
      <h1>API</h1>
      <p className="muted">
        Every endpoint, its parameters, bodies, answers and errors, from <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). The report
        API — <code>POST /trigger_report</code>, <code>GET /get_report</code>, <code>GET /get_report_file/&#123;id&#125;</code> — is the
        public contract.
      </p>
      <ApiReference />
    </>
  );
}
