// POST /api/alerts/test - sends a sample notification to every channel at once; answers what each said
import { json, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { sendSamples } from "@/lib/alerts/deliver";

export const dynamic = "force-dynamic";

export const POST = route(async (request) => {
  await authorize(request, "admin");
  return json({ results: await sendSamples() });
});
