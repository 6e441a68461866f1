/** The JS LangGraph server's health route: `GET /ok` answers 200 once its graphs are registered. */
export const LANGGRAPH_HEALTH_ROUTE = "/ok";

/** Whether the LangGraph server at `url` answers its health route (2 s at most). */
export async function langgraphServerReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}${LANGGRAPH_HEALTH_ROUTE}`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}
