/** Display names that break naive templates: quotes, backslashes, closers of every host language, and more. */
export const HOSTILE_NAMES: string[] = [
  `Acme "Helper" O'Brien`,
  'Back\\slash \\n \\u0041 \\',
  '</script><script>alert(1)</script>',
  '*/ echo 1; /*',
  '<?php ?> <? ?>',
  '${process.exit(1)} `tick` {{handlebars}}',
  'Line one\nLine two\r\nTab\there',
  'Emoji 🚀🔑 and ünïcödé 日本語',
  '<!-- --> ]]> <![CDATA[',
  '\u2028line\u2029separators',
  `${'Very long name '.repeat(20)}end`,
  '2048 starts with a digit',
];
