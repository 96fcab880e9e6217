/**
 * A tiny WordNet in the real file format (offsets need not be byte offsets:
 * the parser keys synsets by the offset string). Shared by the data tests.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const LICENSE_LINE = "  1 This software and database is being provided to you, the LICENSEE, by  \n";

export const FIXTURE: Record<string, string> = {
  "data.noun":
    LICENSE_LINE +
    [
      '00000100 05 n 03 dog 0 domestic_dog 0 pooch 0 002 @ 00000200 n 0000 ~ 00000300 n 0000 | a member of the genus Canis; "the dog barked all night"  ',
      "00000200 05 n 02 canine 0 canid 0 001 ~ 00000100 n 0000 | any of various fissiped mammals  ",
      "00000300 05 n 01 puppy 0 001 @ 00000100 n 0000 | a young dog  ",
      '00000400 18 n 02 man 0 adult_male 0 002 @ 00000500 n 0000 ! 00000600 n 0101 | an adult person who is male; "there were two women and six men on the bus"  ',
      "00000500 18 n 01 male 0 000 | a person who belongs to the sex that cannot have babies  ",
      "00000600 18 n 02 woman 0 adult_female 0 002 ! 00000400 n 0101 @ 00000650 n 0000 | an adult female person  ",
      "00000650 18 n 01 female 0 000 | a person who belongs to the sex that can have babies  ",
      "00000700 28 n 02 May 0 maytime 0 001 @ 00000500 n 0000 | the month following April  ",
    ].join("\n") +
    "\n",
  "data.adj":
    LICENSE_LINE +
    [
      '00001000 00 a 01 hot 0 002 ! 00002000 a 0101 & 00003000 s 0000 | used of physical heat; "hot stove"; "a hot day"  ',
      '00002000 00 a 01 cold 0 002 ! 00001000 a 0101 & 00003500 s 0000 | having a low temperature; "a cold climate"  ',
      "00003000 00 s 02 warm(a) 0 baking 0 001 & 00001000 a 0000 | hot enough to be warm  ",
      "00003500 00 s 01 chilly 0 001 & 00002000 a 0000 | uncomfortably cool  ",
    ].join("\n") +
    "\n",
  "data.verb":
    LICENSE_LINE +
    [
      '00004000 38 v 01 run 0 001 @ 00005000 v 0000 01 + 02 00 | move fast; "Don\'t run"  ',
      "00005000 38 v 01 travel 0 000 01 + 01 00 | change location  ",
    ].join("\n") +
    "\n",
  "data.adv": LICENSE_LINE,
  "index.noun":
    LICENSE_LINE +
    [
      "canine n 1 1 ~ 1 0 00000200  ",
      "dog n 1 2 @ ~ 1 1 00000100  ",
      "female n 1 0 1 0 00000650  ",
      "male n 1 0 1 0 00000500  ",
      "man n 1 2 @ ! 1 1 00000400  ",
      "may n 1 1 @ 1 1 00000700  ",
      "pooch n 1 1 @ 1 0 00000100  ",
      "puppy n 1 1 @ 1 0 00000300  ",
      "woman n 1 2 ! @ 1 1 00000600  ",
    ].join("\n") +
    "\n",
  "index.adj":
    LICENSE_LINE +
    [
      "chilly a 1 1 & 1 0 00003500  ",
      "cold a 1 2 ! & 1 1 00002000  ",
      "hot a 1 2 ! & 1 1 00001000  ",
      "warm a 1 1 & 1 1 00003000  ",
    ].join("\n") +
    "\n",
  "index.verb": "run v 1 1 @ 1 1 00004000  \ntravel v 1 0 1 0 00005000  \n",
  "index.adv": LICENSE_LINE,
  "cntlist.rev":
    [
      "internationalism%1:10:00:: 1 100",
      "x-ray%1:06:00:: 1 90",
      "may%1:28:00:: 1 70",
      "run%2:38:00:: 1 60",
      "man%1:18:00:: 1 50",
      "hot%3:00:00:: 1 40",
      "dog%1:05:00:: 1 30",
      "woman%1:18:00:: 1 25",
      "cold%3:00:00:: 1 20",
      "warm%5:00:00:hot:00 1 5",
    ].join("\n") + "\n",
};

/** Writes the fixture into a fresh temporary directory and returns it. */
export function writeFixtureDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wordnet-fixture-"));
  for (const [name, text] of Object.entries(FIXTURE)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
