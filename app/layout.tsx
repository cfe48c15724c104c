import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "Store Monitor",
  description: "Uptime and downtime of restaurant stores within their business hours",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
