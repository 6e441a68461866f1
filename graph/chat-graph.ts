import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { chatNode } from "../agents/chat/node.ts";

/** The conversational agent over Pioneer's runs and models: one node that answers each user turn
 * (commands directly; free text through the LLM and its tools). Threads keep the conversation. */
export function buildChatGraph() {
  return new StateGraph(MessagesAnnotation).addNode("chat", chatNode).addEdge(START, "chat").addEdge("chat", END);
}

export const graph = buildChatGraph().compile();
graph.name = "chat";
