import { currentVu } from '../state.mjs';

/** The part of k6/execution the scripts read: the VU's id and the scenario's iteration number. */
const exec = {
  vu: {
    get idInTest() {
      return currentVu().id;
    },
  },
  scenario: {
    get iterationInTest() {
      return currentVu().iteration;
    },
  },
};

export const vu = exec.vu;
export const scenario = exec.scenario;
export default exec;
