"""Runs mobgap's full Mobilise-D pipeline (healthy-adult settings) on a CSV of lower-back IMU data
at 100 Hz (sample, acc_x.. m/s^2, gyr_x.. deg/s) and prints the time it took and what it found.
Used by bench/gait.sh; needs mobgap installed (the script makes a virtual environment)."""
import sys
import time

import pandas as pd
from mobgap.pipeline import MobilisedPipelineHealthy


class Datapoint:
    """The few attributes the pipeline reads from a dataset row."""

    def __init__(self, data):
        self.data_ss = data
        self.sampling_rate_hz = 100.0
        self.participant_metadata = {"cohort": "HA", "height_m": 1.75, "sensor_height_m": 1.0}
        self.recording_metadata = {"measurement_condition": "free_living"}
        self.group_label = ("synthetic",)


def main(path):
    t0 = time.perf_counter()
    data = pd.read_csv(path, index_col="sample")
    t1 = time.perf_counter()
    pipeline = MobilisedPipelineHealthy().safe_run(Datapoint(data))
    t2 = time.perf_counter()
    ics = len(pipeline.raw_ic_list_)
    print(f"mobgap: read {t1 - t0:.1f} s, pipeline {t2 - t1:.1f} s, {ics} initial contacts, "
          f"{len(pipeline.per_wb_parameters_)} walking bouts")
    print(f"MOBGAP_SECONDS {t2 - t0:.2f} {t2 - t1:.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
