export * from "./example.ts";
export { DataFileError, type DataFileErrorInit, describeValue } from "./data-file-error.ts";
export { dataFileRecords, readExamples, type RawRecord, type ReadExamplesOptions } from "./read-examples.ts";
export { readGenerationExamples } from "./read-generation.ts";
export { writeExamplesJsonl } from "./write-examples.ts";
export { dataVersionDiff, dataVersionHash, labelSet, entityTypes, type DataVersionDiff } from "./data-version.ts";
export { canonicalExample, canonicalJsonLine } from "./canonical-example.ts";
export { parseCsv, CsvRecordSplitter, CsvSyntaxError, type CsvRecord } from "./csv-records.ts";
export { classesOf, everyNth, groupBy, seededShuffle } from "./sampling.ts";
