export default function Home() {
  return (
    <main>
      <h1>Store Monitor</h1>
    </main>
  );
}
