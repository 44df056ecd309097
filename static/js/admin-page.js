// Loaded on every admin page: times in the reader's locale and zone, as on every other page.
import { localizeTimes } from "./time.js";

localizeTimes();
