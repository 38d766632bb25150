// Placeholder entry point so the infra stack can bundle it; the hub-handler work replaces it
// with the middy handler built by the composition root.
export const handler = async (): Promise<never> => {
  throw new Error('the hub handler is not wired yet');
};
