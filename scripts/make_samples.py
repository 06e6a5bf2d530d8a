#!/usr/bin/python3
"""Writes synthetic sample inputs into DIR: COUNT instances of one CT study of SIZE×SIZE 16-bit pixels (made-up patient
data), one file flagged Burned In Annotation YES, one truncated file and one non-DICOM file. Needs python3-pydicom.

  make_samples.py DIR [COUNT=5] [SIZE=64]     (SIZE 512 gives the usual 0.5 MB CT slice)"""
import os, sys
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT = "1.2.840.10008.5.1.4.1.1.2"


def instance(study, series, number, size, burned_in="NO"):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID, ds.SOPInstanceUID = CT, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = "Sample^Patient", "SAMPLE-0001", "19700101", "O"
    ds.StudyDate, ds.StudyTime, ds.AccessionNumber, ds.ReferringPhysicianName = "20240131", "101010", "ACC0001", "Sample^Doctor"
    ds.InstitutionName, ds.StudyDescription, ds.StudyID = "Sample Hospital", "Sample CT", "1"
    ds.Modality, ds.SeriesNumber, ds.InstanceNumber, ds.BurnedInAnnotation = "CT", 1, number, burned_in
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.Rows, ds.Columns = 1, "MONOCHROME2", size, size
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = (bytes(range(256)) * (size * size * 2 // 256 + 1))[number % 256:][:size * size * 2]
    ds.is_little_endian, ds.is_implicit_VR = True, False
    return ds


def main(directory, count, size):
    os.makedirs(directory, exist_ok=True)
    study, series = generate_uid(), generate_uid()
    for n in range(1, count + 1):
        instance(study, series, n, size).save_as(os.path.join(directory, f"ct-{n:03}.dcm"), write_like_original=False)
    instance(study, series, count + 1, size, burned_in="YES").save_as(os.path.join(directory, "burned-in.dcm"), write_like_original=False)
    with open(os.path.join(directory, "ct-001.dcm"), "rb") as f:
        head = f.read(400)
    with open(os.path.join(directory, "truncated.dcm"), "wb") as f:
        f.write(head)
    with open(os.path.join(directory, "notes.txt"), "w") as f:
        f.write("not a DICOM file\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5, int(sys.argv[3]) if len(sys.argv) > 3 else 64)
