import { createTransport, type Transporter } from "nodemailer";
import { env } from "../env";

/** A mail server gets as long as a webhook receiver, within the delivery job's time. */
const TIMEOUT_MS = 10_000;
let transport: { url: string; mailer: Transporter } | undefined;

/** Sends a plain-text e-mail through SMTP_URL (nodemailer); throws when it is not set or the server refuses. */
export async function sendMail(to: readonly string[], subject: string, text: string): Promise<void> {
  const { SMTP_URL, SMTP_FROM } = env();
  if (!SMTP_URL) throw new Error("SMTP_URL is not set: e-mail cannot be sent");
  if (transport?.url !== SMTP_URL) transport = { url: SMTP_URL, mailer: createTransport({ url: SMTP_URL, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS }) };
  await transport.mailer.sendMail({ from: SMTP_FROM, to: [...to], subject, text });
}
