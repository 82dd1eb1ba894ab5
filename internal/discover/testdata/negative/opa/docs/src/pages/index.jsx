import Link from "@docusaurus/Link";
import useBaseUrl from "@docusaurus/useBaseUrl";
import React, { useEffect, useRef, useState } from "react";
            </div>
          </div>

          <div className={styles.videoContainer}>
            <div className={styles.videoBackground}>
              <div className={styles.videoWrapper}>
                <iframe
                  className={styles.video}
                  src="https://www.youtube.com/embed/NF0VXAqJH8E?controls=0&modestbranding=1&rel=0&showinfo=0"
                  title="YouTube video player"
                  frameBorder="0"
                  allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share"
                  referrerPolicy="strict-origin-when-cross-origin"
                >
                </iframe>
              </div>
              <p className={styles.videoText}>
