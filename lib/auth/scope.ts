import { escapeLiteral } from "pg";
import { AppError } from "../errors";

/**
 * The stores a caller may see: every store (admins, unscoped keys, open mode), or those of some owners (an
 * owner's members and keys). Reports are computed once for all stores; every view of them is cut by this.
 */
export type Scope = { all: true } | { all: false; ownerIds: readonly string[] };

export const ALL_STORES: Scope = { all: true };

/**
 * A condition on `column` (a store id) that holds for the stores of `scope`, to AND into a query's WHERE; owner
 * ids are written as literals so that it serves in COPY too, which takes no parameters.
 */
export function visibleStores(scope: Scope, column = "store_id"): string {
  if (scope.all || scope.ownerIds.length === 0) return visibleOwners(scope);
  return `${column} IN (SELECT store_id FROM stores WHERE ${visibleOwners(scope)})`;
}

/** A condition on `column` (an owner id) that holds for the owners of `scope`, written as `visibleStores`'. */
export function visibleOwners(scope: Scope, column = "owner_id"): string {
  if (scope.all) return "TRUE";
  if (scope.ownerIds.length === 0) return "FALSE";
  return `${column} IN (${scope.ownerIds.map((id) => escapeLiteral(id)).join(", ")})`;
}

/** A store outside one's scope is answered as if it did not exist, so that ids cannot be probed. */
export function storeNotFound(storeId: string): AppError {
  return new AppError("store_not_found", 404, `no store ${storeId}`);
}
