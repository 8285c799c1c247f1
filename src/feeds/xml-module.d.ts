// Types for `xml` 1.0.1, the serialiser the `rss` package writes with (it ships none). Only the part
// statuspost uses: an element is an object with one key, its children in an array, attributes under
// `_attr`; strings are escaped (& < > " ').
declare module 'xml' {
  type XmlAttributes = Record<string, string | number>;
  export type XmlElement = { [name: string]: XmlNode[] | string | number | { _attr: XmlAttributes } };
  export type XmlNode = XmlElement | { _attr: XmlAttributes } | string;
  export default function xml(input: XmlNode | XmlNode[], options?: { declaration?: boolean | { encoding?: string }; indent?: string | boolean }): string;
}
