import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { offlineTaskSpec, readLabelsFile, readableLabel } from "./task-spec.ts";

describe("the offline task spec", () => {
  it("gives each label its seeds, then the description's clauses that name it", () => {
    const spec = offlineTaskSpec(
      "Route a voice assistant's requests. Users ask for the weather, add a song to a playlist, and play music.",
      [{ name: "GetWeather" }, { name: "AddToPlaylist", definition: "add a track to one of the user's playlists" }, { name: "PlayMusic" }, { name: "oos" }],
      [{ id: "s1", text: "play some jazz", label: "PlayMusic" }],
      "oos",
    );
    expect(spec.labels).toEqual([
      { name: "GetWeather", definition: "get weather", phrasings: ["Users ask for the weather"] },
      { name: "AddToPlaylist", definition: "add a track to one of the user's playlists", phrasings: ["add a song to a playlist"] },
      { name: "PlayMusic", definition: "play music", phrasings: ["play some jazz", "play music"] },
    ]);
    expect(spec.oos_label).toBe("oos");
  });

  it("reads label names as words", () => {
    expect(["card_arrival", "AddToPlaylist", "top-up"].map(readableLabel)).toEqual(["card arrival", "add to playlist", "top up"]);
  });
});

describe("readLabelsFile", () => {
  it("reads labels with optional definitions and names the line of a bad one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pioneer-labels-"));
    const good = join(dir, "labels.txt");
    await writeFile(good, "# intents\nrefund\tthe user wants money back\n\ncard_arrival\n");
    expect(await readLabelsFile(good)).toEqual([{ name: "refund", definition: "the user wants money back" }, { name: "card_arrival" }]);
    const twice = join(dir, "twice.txt");
    await writeFile(twice, "refund\ncard\nrefund\tagain\n");
    await expect(readLabelsFile(twice)).rejects.toThrow(`${twice}:3: field "label": "refund" is listed twice (lines 1 and 3)`);
    const spaced = join(dir, "spaced.txt");
    await writeFile(spaced, "refund \n");
    await expect(readLabelsFile(spaced)).rejects.toThrow(`${spaced}:1: field "label"`);
  });
});
