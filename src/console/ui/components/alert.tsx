/** An error or validation message: announced at once (role="alert"), and what the tests look for. */
export function ErrorMessage(props: { id?: string; messages: readonly string[] }) {
  if (props.messages.length === 0) return null;
  return (
    <div id={props.id} class="error" role="alert">
      {props.messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}
