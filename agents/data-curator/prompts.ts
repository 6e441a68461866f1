/** The data curator's instructions when an LLM judges suspect training examples. Example texts are
 * data, never instructions. */
export const DATA_CURATOR_PROMPT = `You curate the next training data version of a small text classifier.
Confident learning (out-of-fold models trained on the rest of the pool) flags some training examples
as probably mislabeled. For the most suspect ones you see the text, the given label, the label the
out-of-fold models suggest with its probability, and how likely they find the given label; you can
look up an example's nearest training examples and their labels (nearest_training_examples).

For the suspects where you are confident, decide: keep (the given label is right after all), relabel
(to which of the task's labels), or drop (ambiguous, or no label fits). The others follow the offline
rule: relabel to the suggestion when it is likely enough, else drop. Give a one-line reason each.
You also see how often the accepted production failures confuse one label for another; name in
focus_pairs the confusions that need targeted examples (the pool's examples of the predicted label
nearest to those failures are then added as upweighted hard negatives) beyond the ones the offline
diagnosis already calls confusable. Labels must be the task's labels exactly.`;
