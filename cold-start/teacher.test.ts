import { describe, expect, it } from "vitest";
import { SUBMIT_DECISION } from "../llm/decide.ts";
import { ScriptedChatModel, toolCallMessage } from "../test-support/scripted-chat-model.ts";
import { offlineTaskSpec } from "./task-spec.ts";
import { newTeacherLog, synthesizeExamples, teacherJudgements, teacherTaskSpec } from "./teacher.ts";
import { confirmPseudoLabels, verifySynthesized } from "./verify.ts";

const offline = offlineTaskSpec("Weather and music requests.", [{ name: "weather" }, { name: "music" }], [{ id: "s1", text: "rain tomorrow?", label: "weather" }], "oos");
const teacher = (...decisions: Record<string, unknown>[]) => ({ model: new ScriptedChatModel(decisions.map((d) => toolCallMessage(SUBMIT_DECISION, d))), maxTries: 1, warn: () => {} });

describe("the teacher's task spec", () => {
  it("keeps the offline phrasings (seeds, then the description's clauses) first and adds the teacher's", async () => {
    const log = newTeacherLog();
    const spec = await teacherTaskSpec(teacher({ labels: [
      { name: "weather", definition: "asks about the weather", phrasings: ["is it sunny"], edge_cases: ["weather for my concert"] },
      { name: "music", definition: "asks to play music", phrasings: ["play jazz"], edge_cases: [] },
    ] }), offline, log);
    expect(spec.source).toBe("llm");
    expect(spec.labels[0]).toEqual({ name: "weather", definition: "asks about the weather", phrasings: ["rain tomorrow?", "Weather", "is it sunny"], edge_cases: ["weather for my concert"] });
    expect(log.calls).toEqual([{ step: "task spec", mode: "llm", note: null }]);
  });

  it("rejects a spec that changes the label set, and keeps the offline one", async () => {
    const log = newTeacherLog();
    const spec = await teacherTaskSpec(teacher({ labels: [{ name: "weather", definition: "d", phrasings: [], edge_cases: [] }, { name: "news", definition: "d", phrasings: [], edge_cases: [] }] }), offline, log);
    expect(spec).toEqual(offline);
    expect(log.calls[0]).toMatchObject({ mode: "rejected", note: "names labels that are not the task's: news" });
  });
});

describe("synthesis and the blind judgement", () => {
  it("keeps at most the examples asked for per label, and maps the judgement's neutral ids back", async () => {
    const log = newTeacherLog();
    const written = await synthesizeExamples(teacher({ examples: [
      { label: "weather", text: "will it snow" }, { label: "weather", text: "umbrella today?" }, { label: "weather", text: "a third one" }, { label: "music", text: "put on some jazz" },
    ] }), offline, { perLabel: 2 }, log);
    expect(written.map((e) => e.id)).toEqual(["synth/weather/1", "synth/weather/2", "synth/music/1"]);
    const judged = await teacherJudgements(teacher({ labels: [{ id: "1", label: "weather" }, { id: "2", label: "oos" }] }), offline, written, log);
    expect([...judged]).toEqual([["synth/weather/1", "weather"], ["synth/weather/2", "oos"], ["synth/music/1", null]]);
  });

  it("verifies: a duplicate of a seed, a blind disagreement and a low zero-shot rank are dropped, each with its reason", () => {
    const examples = [
      { id: "a", text: "Rain tomorrow!", label: "weather" },
      { id: "b", text: "umbrella today?", label: "weather" },
      { id: "c", text: "play jazz", label: "music" },
      { id: "d", text: "play some rock", label: "music" },
    ];
    const probs = (p: Record<string, number>) => ({ id: "", label: "", confidence: 0, probs: p });
    const zeroShot = new Map([
      ["b", probs({ weather: 0.7, music: 0.2, oos: 0.1 })],
      ["c", probs({ weather: 0.5, oos: 0.3, news: 0.15, music: 0.05 })],
      ["d", probs({ music: 0.8, weather: 0.1, oos: 0.1 })],
    ]);
    const judged = new Map<string, string | null>([["a", "weather"], ["b", "oos"], ["c", "music"], ["d", "music"]]);
    const { kept, lineage } = verifySynthesized(examples, [{ id: "s1", text: "rain tomorrow?", label: "weather" }], judged, zeroShot);
    expect(kept.map((e) => e.id)).toEqual(["d"]);
    expect(lineage.map((r) => r.why)).toEqual([
      "duplicate of seed s1",
      "the teacher, asked blind, labels it oos",
      "the zero-shot model ranks music 4 (at most 3 agrees)",
      "the teacher agrees blind, the zero-shot model ranks it 1",
    ]);
    const confirmed = confirmPseudoLabels([{ id: "p1", text: "x", label: "music" }, { id: "p2", text: "y", label: "weather" }], new Map([["p1", "music"], ["p2", null]]));
    expect(confirmed.kept.map((e) => e.id)).toEqual(["p1"]);
    expect(confirmed.lineage[1]?.why).toBe("the teacher gave no judgement");
  });
});
