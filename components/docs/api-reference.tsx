"use client";

import { useEffect, useRef, useState } from "react";
import "swagger-ui-dist/swagger-ui.css";

/**
 * The OpenAPI description (/openapi.json) rendered by Swagger UI, served from this app's own bundle (no CDN:
 * it works offline). Loaded on this page only; "Try it out" calls the API with the browser's own session.
 */
export function ApiReference() {
  const node = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    import("swagger-ui-dist/swagger-ui-es-bundle.js").then(
      ({ default: SwaggerUI }) => {
        if (!cancelled && node.current) SwaggerUI({ domNode: node.current, url: "/openapi.json", deepLinking: true, docExpansion: "list" });
      },
      (e: Error) => setFailed(e.message),
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return (
    <>
      {failed && <p role="alert">The API reference could not be shown ({failed}); the description itself is at /openapi.json.</p>}
      <div ref={node} className="api-reference" />
    </>
  );
}
