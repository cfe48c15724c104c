"use client";

import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { ApiError } from "@/lib/api/client";

/** A change sent to the server, after which `refresh` is fetched again; its error in words. */
export function useAction<A, R>(run: (args: A) => Promise<R>, refresh: QueryKey) {
  const queryClient = useQueryClient();
  const mutation = useMutation({ mutationFn: run, onSuccess: () => queryClient.invalidateQueries({ queryKey: refresh }) });
  const error = mutation.error ? (mutation.error instanceof ApiError ? mutation.error.message : "Something went wrong.") : null;
  return { ...mutation, errorMessage: error };
}

/**
 * A form's submit handler that stays on the page: `send` gets the fields as strings, and a `done` that empties
 * the form (to call once the server has taken it).
 */
export function submitted(send: (fields: Record<string, string>, done: () => void) => void) {
  return (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    send(Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)])), () => form.reset());
  };
}
