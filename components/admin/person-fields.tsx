/** A person's name and e-mail, as an invitation form asks for them (the admins' People page, a manager's Team page). */
export function PersonFields() {
  return (
    <>
      <label>
        Name
        <input name="name" required maxLength={200} autoComplete="off" />
      </label>
      <label>
        E-mail
        <input name="email" type="email" required maxLength={320} autoComplete="off" />
      </label>
    </>
  );
}
