// The live board page (templates/cameras/live_board.html): a static module, no inline script.

import { LiveBoard, mountLiveBoard } from "./board.js";

const board = new LiveBoard();
mountLiveBoard(document.getElementById("live-board"), board);
board.connect();
window.invigilBoard = board;
