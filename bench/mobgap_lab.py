"""mobgap's own initial-contact detectors on the lab recordings, counted the way
`cargo run --release -p gait --example evaluate` counts Retrostride: each detector is given the
reference walking bout (as mobgap's own evaluation does), and its contacts are compared with the
reference contacts within the bout (half a step of margin each side). Prints the total error and
the per-bout mean absolute percentage error. Used by bench/gait.sh with the motion folder as the
argument (default ../shared/data/motion)."""
import glob
import sys
import warnings

import numpy as np
import pandas as pd
from mobgap.initial_contacts import IcdHKLeeImproved, IcdIonescu, IcdShinImproved
from mobgap.utils.conversions import to_body_frame

warnings.filterwarnings("ignore")
motion = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/motion"
for name, detector in [("IcdShinImproved", IcdShinImproved()), ("IcdIonescu", IcdIonescu()),
                       ("IcdHKLeeImproved", IcdHKLeeImproved())]:
    errors, found_total, reference_total = [], 0, 0
    for imu in sorted(glob.glob(f"{motion}/lab/*.imu.csv")):
        stem = imu[: -len(".imu.csv")]
        ics = pd.read_csv(f"{stem}.ref_ic.csv")["ic"].to_numpy()
        bouts = pd.read_csv(f"{stem}.ref_wb.csv")
        if len(ics) == 0:
            continue
        samples = pd.read_csv(imu)[["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]]
        for _, bout in bouts.iterrows():
            start, end = int(bout.start), int(bout.end)
            segment = to_body_frame(samples.iloc[start:end + 1].reset_index(drop=True))
            found = len(detector.clone().detect(segment, sampling_rate_hz=100).ic_list_)
            reference = int(((ics >= start - 25) & (ics <= end + 25)).sum())
            found_total += found
            reference_total += reference
            if reference:
                errors.append(abs(found - reference) / reference)
    print(f"mobgap {name}: {found_total} contacts in the reference bouts, reference {reference_total} "
          f"({100 * (found_total - reference_total) / reference_total:+.1f}%); "
          f"per-bout MAPE {100 * np.mean(errors):.1f}% over {len(errors)} bouts")
