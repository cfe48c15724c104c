// swagger-ui-dist ships no types; this is the part of Swagger UI's options the API page uses.
declare module "swagger-ui-dist/swagger-ui-es-bundle.js" {
  const SwaggerUI: (options: {
    domNode: HTMLElement;
    url: string;
    deepLinking?: boolean;
    docExpansion?: "list" | "full" | "none";
  }) => unknown;
  export default SwaggerUI;
}
