/** Makes a tag sequence valid IOB2: an I-X that does not continue an X becomes B-X. */
export function repairBio(tags: readonly string[]): string[] {
  return tags.map((tag, i) => {
    if (!tag.startsWith("I-")) return tag;
    const previous = i > 0 ? tags[i - 1] : "O";
    return previous === `B-${tag.slice(2)}` || previous === tag ? tag : `B-${tag.slice(2)}`;
  });
}
